-- AlterTable
ALTER TABLE "User" ADD COLUMN     "credentialGeneration" INTEGER NOT NULL DEFAULT 0;

