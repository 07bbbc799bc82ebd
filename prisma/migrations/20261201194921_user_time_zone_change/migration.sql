-- AlterTable
ALTER TABLE "User" ADD COLUMN     "previousTimeZone" TEXT,
ADD COLUMN     "timeZoneChangedAt" TIMESTAMP(3);

