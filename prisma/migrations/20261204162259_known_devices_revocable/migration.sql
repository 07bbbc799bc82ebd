-- AlterTable
ALTER TABLE "User" ADD COLUMN     "devicesValidFrom" TIMESTAMP(3);

